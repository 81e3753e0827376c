/// How a group gets an automatic id, the same in every driver: it stays a positive 32-bit
/// integer (what a script tag's `data-groupid` holds) — the next after the largest, else the
/// smallest free one; 0 when none is free (the driver answers `DomainError.conflict`).
enum GroupIds {
    static let largest = 2_147_483_647

    static let nextSQL = """
        SELECT CASE
            WHEN COALESCE((SELECT max(id) FROM "group"), 0) < 2147483647 THEN COALESCE((SELECT max(id) FROM "group"), 0) + 1
            ELSE COALESCE(
                (SELECT 1 WHERE NOT EXISTS (SELECT 1 FROM "group" WHERE id = 1)),
                (SELECT min(g.id) + 1 FROM "group" g
                    WHERE g.id >= 1 AND g.id < 2147483647 AND NOT EXISTS (SELECT 1 FROM "group" h WHERE h.id = g.id + 1)),
                0)
        END
        """
}
