-- Siddhi: TimeOutputRateLimitTestCase.testTimeOutputRateLimitQuery11
@app:playback
-- All events, first every 1 sec per group (Siddhi: a group is emitted again once 1 s has passed since its
-- last output). Each batch chunk gives one row per group, the group's last event in the chunk (for .4 in
-- the 4th batch the current row, after its expiry): 5 in, 2 removed.
CREATE STREAM LoginEvents (timestamp BIGINT, ip STRING);
INSERT ALL EVENTS INTO uniqueIps SELECT ip, count() AS total FROM LoginEvents WINDOW('lengthBatch', 2) GROUP BY ip OUTPUT FIRST EVERY 1 SEC;
