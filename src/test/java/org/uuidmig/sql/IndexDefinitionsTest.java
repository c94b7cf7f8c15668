package org.uuidmig.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import org.junit.jupiter.api.Test;

import org.uuidmig.plan.IndexInfo;

/** The copy of an index on the new column keeps everything but the column: string-equality tests of the generated DDL. */
class IndexDefinitionsTest {
    private static IndexInfo idx(String name, String def, boolean unique, int keys, List<Integer> positions, List<Integer> options) {
        return new IndexInfo(name, def, unique, false, true, null, '-', false, false, keys, positions, false, false, false,
            options, List.of(), null, false);
    }

    @Test
    void descendingMultiColumn() {
        IndexInfo i = idx("ix_m", "CREATE INDEX ix_m ON public.chat_messages USING btree (sender_id, created_at DESC)", false, 2,
            List.of(0), List.of(0, 3));
        assertEquals("CREATE INDEX CONCURRENTLY \"_uuidmig_ix_m\" ON \"public\".\"chat_messages\" USING btree (\"_uuidmig_sender_id\", created_at DESC)",
            IndexDefinitions.copyOnNewColumn(i, "sender_id", "_uuidmig_sender_id", "_uuidmig_ix_m", "\"public\".\"chat_messages\""));
    }

    @Test
    void userColumnDescendingNullsLastAndNotFirst() {
        IndexInfo i = idx("u", "CREATE UNIQUE INDEX u ON public.t USING btree (request_id, user_id DESC NULLS LAST)", true, 2,
            List.of(1), List.of(0, 1));
        assertEquals("CREATE UNIQUE INDEX CONCURRENTLY \"n\" ON \"s\".\"t\" USING btree (request_id, \"nu\" DESC NULLS LAST)",
            IndexDefinitions.copyOnNewColumn(i, "user_id", "nu", "n", "\"s\".\"t\""));
    }

    @Test
    void includeListPredicateAndStorageParameters() {
        IndexInfo i = idx("p", "CREATE INDEX p ON public.t USING btree (request_id) INCLUDE (user_id, last_read_at) "
            + "WITH (fillfactor='70') WHERE ((user_id IS NOT NULL) AND (note <> 'user_id'::text))", false, 1, List.of(1), List.of(0));
        assertEquals("CREATE INDEX CONCURRENTLY \"n\" ON \"public\".\"t\" USING btree (request_id) INCLUDE (\"nu\", last_read_at) "
            + "WITH (fillfactor='70') WHERE ((\"nu\" IS NOT NULL) AND (note <> 'user_id'::text))",
            IndexDefinitions.copyOnNewColumn(i, "user_id", "nu", "n", "\"public\".\"t\""));
    }

    @Test
    void quotedNamesAndNullsFirst() {
        IndexInfo i = idx("x", "CREATE INDEX \"Idx\" ON \"S\".\"T x\" USING btree (\"Sender ID\" NULLS FIRST, \"Note\") WHERE (\"Sender ID\" IS NOT NULL)",
            false, 2, List.of(0), List.of(2, 0));
        assertEquals("CREATE INDEX CONCURRENTLY \"n\" ON \"S\".\"T x\" USING btree (\"new \"\"col\"\"\" NULLS FIRST, \"Note\") "
                + "WHERE (\"new \"\"col\"\"\" IS NOT NULL)",
            IndexDefinitions.copyOnNewColumn(i, "Sender ID", "new \"col\"", "n", "\"S\".\"T x\""));
    }

    @Test
    void renameColumnLeavesLiteralsFunctionsAndCastsAlone() {
        assertEquals("(\"x\" = lower(user_id_text)) AND ('user_id' <> t.user_id) AND (\"x\" > 0::user_id)",
            SqlTokens.renameColumn("(user_id = lower(user_id_text)) AND ('user_id' <> t.user_id) AND (user_id > 0::user_id)",
                "user_id", "\"x\""));
        assertEquals(List.of("a", "lower((b)::text)", "\"c,d\""), SqlTokens.splitTopLevel("a, lower((b)::text), \"c,d\""));
    }

    @Test
    void tempNamesFitSixtyThreeBytesAndAreStable() {
        String longName = "x".repeat(70);
        String n = TempNames.index(longName);
        assertEquals(63, n.getBytes(java.nio.charset.StandardCharsets.UTF_8).length);
        assertEquals(n, TempNames.index(longName));
        assertEquals("_uuidmig_sender_id", TempNames.shadowColumn("sender_id"));
        assertEquals("zz_uuidmig_sync_sender_id", TempNames.syncTrigger("sender_id"));
    }
}
