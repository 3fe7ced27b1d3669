SELECT c0."Id"
FROM "ConversationMembers" AS c
INNER JOIN "Conversations" AS c0 ON c."ConversationId" = c0."Id"
WHERE c."UserId" = 255594844122095616 AND (c."HiddenAtSeq" IS NULL OR c."HiddenAtSeq" < c0."LastSeq") AND (c0."Kind" = 1 OR c0."LastSeq" > 0)
ORDER BY c."Pinned" DESC, COALESCE(c0."LastMessageAt", c0."CreatedAt") DESC, c0."Id" DESC
LIMIT 51;
