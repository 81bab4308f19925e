-- Siddhi: TimeOutputRateLimitTestCase.testTimeOutputRateLimitQuery9
@app:playback
-- Expired events only: batch 1 expires in the first period (.5), batches 2 and 3 in the second (.3, .9, .4):
-- 4 events.
-- Periods of 1 s from the first event (Siddhi starts the period when the app starts, just before it).
CREATE STREAM LoginEvents (timestamp BIGINT, ip STRING);
INSERT EXPIRED EVENTS INTO uniqueIps SELECT ip FROM LoginEvents WINDOW('lengthBatch', 2) GROUP BY ip OUTPUT LAST EVERY 1 SEC;
