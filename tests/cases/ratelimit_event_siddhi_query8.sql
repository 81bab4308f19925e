-- Siddhi: EventOutputRateLimitTestCase.testEventOutputRateLimitQuery8
@app:playback
-- group by ip, output first every 5 events: Siddhi counts per group (FirstGroupByPerEventOutputRateLimiter):
-- the first event of each group, then every 5th of that group's events starts over. 5 events.
CREATE STREAM LoginEvents (timestamp BIGINT, ip STRING);
INSERT INTO uniqueIps SELECT ip FROM LoginEvents GROUP BY ip OUTPUT FIRST EVERY 5 EVENTS;
