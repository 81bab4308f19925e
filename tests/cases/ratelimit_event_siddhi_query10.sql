-- Siddhi: EventOutputRateLimitTestCase.testEventOutputRateLimitQuery10
@app:playback
-- group by ip, first every 5 events, counted per group: the five .4 events give one output (the 5th only
-- resets that group's count). 5 events.
CREATE STREAM LoginEvents (timestamp BIGINT, ip STRING);
INSERT INTO uniqueIps SELECT ip FROM LoginEvents GROUP BY ip OUTPUT FIRST EVERY 5 EVENTS;
