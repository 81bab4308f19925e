-- Siddhi: EventOutputRateLimitTestCase.testEventOutputRateLimitQuery16
@app:playback
-- Grouped, expired events only: batch 1 expiring gives 3 group rows (.5, .3, .9), batch 2 gives 2 (.3, .4);
-- all every 2 rows emits 4 of these 5. All counts 0 (each group's count after its expiries).
CREATE STREAM LoginEvents (timestamp BIGINT, ip STRING);
INSERT EXPIRED EVENTS INTO uniqueIps SELECT ip, count() AS total FROM LoginEvents WINDOW('lengthBatch', 4) GROUP BY ip OUTPUT ALL EVERY 2 EVENTS;
