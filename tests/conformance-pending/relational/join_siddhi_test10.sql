-- Siddhi: JoinTestCase.joinTest10
@app:playback
-- Windowless left side: asserted 2 current events, 0 expired. In Siddhi a windowless join side
-- sends a RESET after each event, so count() restarts for each arrival: 1 each time.
CREATE STREAM cseEventStream (symbol STRING, price DOUBLE, volume INT);
CREATE STREAM twitterStream (user STRING, tweet STRING, company STRING);
INSERT INTO outputStream
SELECT count() AS events, symbol
FROM cseEventStream JOIN twitterStream WINDOW('length', 1);
