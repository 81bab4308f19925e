-- Siddhi: EventOutputRateLimitTestCase.testEventOutputRateLimitQuery17
@app:playback
-- group by ip, first every 2 events, counted per group: each group emits its 1st, 3rd, 5th... event. 8 events.
CREATE STREAM LoginEvents (timestamp BIGINT, ip STRING);
INSERT INTO uniqueIps SELECT ip FROM LoginEvents GROUP BY ip OUTPUT FIRST EVERY 2 EVENTS;
