-- Siddhi: TimeOutputRateLimitTestCase.testTimeOutputRateLimitQuery17
@app:playback
-- lengthBatch(2) grouped, first every 1 sec per group: .5 reappears 1.1 s after its first output: 6 rows.
CREATE STREAM LoginEvents (timestamp BIGINT, ip STRING);
INSERT INTO uniqueIps SELECT ip, count() AS total FROM LoginEvents WINDOW('lengthBatch', 2) GROUP BY ip OUTPUT FIRST EVERY 1 SEC;
