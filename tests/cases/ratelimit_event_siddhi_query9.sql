-- Siddhi: EventOutputRateLimitTestCase.testEventOutputRateLimitQuery9
@app:playback
-- group by ip, output last every 5 events: after 5 events, the last event of each group seen (4); the
-- last 3 events wait.
CREATE STREAM LoginEvents (timestamp BIGINT, ip STRING);
INSERT INTO uniqueIps SELECT ip FROM LoginEvents GROUP BY ip OUTPUT LAST EVERY 5 EVENTS;
