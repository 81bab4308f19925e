-- Siddhi: TimeOutputRateLimitTestCase.testTimeOutputRateLimitQuery8
@app:playback
-- lengthBatch(2) grouped by ip, last every 1 sec: batches [.5,.5], [.3,.9] in the first period, [.4,.4],
-- [.4,.30] in the second: 3 + 2 group rows.
-- Periods of 1 s from the first event (Siddhi starts the period when the app starts, just before it).
CREATE STREAM LoginEvents (timestamp BIGINT, ip STRING);
INSERT INTO uniqueIps SELECT ip FROM LoginEvents WINDOW('lengthBatch', 2) GROUP BY ip OUTPUT LAST EVERY 1 SEC;
