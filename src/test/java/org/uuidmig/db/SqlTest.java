package org.uuidmig.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** Sql.literal: the text means the same whatever standard_conforming_strings says (SecurityIT checks it on a server). */
class SqlTest {

    @Test
    void aLiteralWithoutBackslashIsAPlainLiteralWithQuotesDoubled() {
        assertEquals("'abc'", Sql.literal("abc"));
        assertEquals("'it''s'", Sql.literal("it's"));
        assertEquals("''", Sql.literal(""));
        assertEquals("NULL", Sql.literal(null));
    }

    @Test
    void aLiteralWithABackslashIsAnEscapeStringWithBackslashesAndQuotesDoubled() {
        assertEquals("E'x\\\\'''", Sql.literal("x\\'"));
        assertEquals("E'x\\\\''; ALTER ROLE r SUPERUSER; --'", Sql.literal("x\\'; ALTER ROLE r SUPERUSER; --"));
        assertEquals("E'C:\\\\dir\\\\'", Sql.literal("C:\\dir\\"));
        assertEquals("E'\\\\n'", Sql.literal("\\n"));
    }

    @Test
    void aRegclassLiteralQuotesTheQualifiedName() {
        assertEquals("'\"public\".\"users\"'::pg_catalog.regclass", Sql.regclass("public", "users"));
        assertEquals("'\"s\".\"O''Brien\\\"\"x\"'::pg_catalog.regclass".replace("\\\"", "\""), Sql.regclass("s", "O'Brien\"x"));
        assertEquals("E'\"s\".\"a\\\\b\"'::pg_catalog.regclass", Sql.regclass("s", "a\\b"));
    }

    @Test
    void aNulIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> Sql.literal("a\0b"));
    }

    @Test
    void commentTextEscapesLineBreaksAndControlCharacters() {
        assertEquals("a\\x0aDROP TABLE x; --\\x0d\\x09b", Sql.commentText("a\nDROP TABLE x; --\r\tb"));
        assertEquals("plain \"name\" é", Sql.commentText("plain \"name\" é"));
    }
}
