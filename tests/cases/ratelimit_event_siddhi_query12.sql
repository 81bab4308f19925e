-- Siddhi: EventOutputRateLimitTestCase.testEventOutputRateLimitQuery12
@app:playback
-- lengthBatch(4) grouped by ip: the batches give 3, 2 and 4 group rows; after the 5th row (the second
-- batch's .4) the last row of each group is emitted (.3 now from the second batch). 4 events.
CREATE STREAM LoginEvents (timestamp BIGINT, ip STRING);
INSERT INTO uniqueIps SELECT ip, count() AS total FROM LoginEvents WINDOW('lengthBatch', 4) GROUP BY ip OUTPUT LAST EVERY 5 EVENTS;
