package org.uuidmig.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

import org.uuidmig.config.ColumnRef;

/** Which unplanned user reference a missing planned column likely means (issue 16 item 7). */
class LikelyColumnsTest {
    private static ColumnRef ref(String s) {
        return ColumnRef.parse(s);
    }

    @Test
    void sameWordsInAnyOrderSingularOrPlural() {
        assertTrue(LikelyColumns.sameWords("user_request_assigns", "request_user_assigns"));
        assertTrue(LikelyColumns.sameWords("user_request_assigns", "users_requests_assign"));
        assertTrue(LikelyColumns.sameWords("user_request_assigns", "Request_User_Assigns"));
        assertTrue(LikelyColumns.sameWords("category_users", "user_categories"));
        assertTrue(LikelyColumns.sameWords("address_boxes", "boxes_addresses"));
        assertTrue(LikelyColumns.sameWords("user_status", "statuses_user"));
        assertFalse(LikelyColumns.sameWords("user_request_assigns", "user_request_assigns"), "the same name is not another table");
        assertFalse(LikelyColumns.sameWords("user_request_assigns", "user_region_assigns"));
        assertFalse(LikelyColumns.sameWords("user_request_assigns", "user_request_assigns_archive"));
        assertFalse(LikelyColumns.sameWords("user_roles", "user_role_roles"), "a word twice is not the same set of words");
        assertEquals("status", LikelyColumns.singular("status"));
        assertEquals("address", LikelyColumns.singular("address"));
        assertEquals("category", LikelyColumns.singular("categories"));
        assertEquals("match", LikelyColumns.singular("matches"));
        assertEquals("user", LikelyColumns.singular("users"));
    }

    @Test
    void aMissingTableMeansAnUnplannedReferenceWithTheSameWordsSameColumnFirst() {
        List<ColumnRef> unplanned = List.of(ref("audit.actor_id"), ref("request_user_assigns.assigned_by"),
            ref("request_user_assigns.user_id"), ref("user_regions.user_id"));
        assertEquals(List.of(ref("request_user_assigns.user_id"), ref("request_user_assigns.assigned_by")),
            LikelyColumns.candidates(ref("user_request_assigns.user_id"), ColumnState.MISSING_TABLE, unplanned, List.of()));
        assertEquals(List.of(ref("request_user_assigns.assigned_by")),
            LikelyColumns.candidates(ref("user_request_assigns.user_id"), ColumnState.MISSING_TABLE, unplanned,
                List.of(ref("request_user_assigns.user_id"))), "a column the operator excluded is not suggested");
        assertEquals(List.of(), LikelyColumns.candidates(ref("chat_messages.sender_id"), ColumnState.MISSING_TABLE, unplanned, List.of()));
    }

    @Test
    void aMissingColumnMeansAnUnplannedReferenceInTheSameTable() {
        List<ColumnRef> unplanned = List.of(ref("audit.actor_id"), ref("user_roles.account_id"));
        assertEquals(List.of(ref("user_roles.account_id")),
            LikelyColumns.candidates(ref("user_roles.user_id"), ColumnState.MISSING_COLUMN, unplanned, List.of()));
        assertEquals(List.of(), LikelyColumns.candidates(ref("user_roles.user_id"), ColumnState.WRONG_TYPE, unplanned, List.of()));
    }
}
