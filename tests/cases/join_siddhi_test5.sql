-- Siddhi: JoinTestCase.joinTest5
@app:playback
-- Join without ON over length(1) windows. The test asserts only that events arrive; the rows
-- follow Siddhi's length-window join semantics (the pushed-out event joins as expired first).
CREATE STREAM cseEventStream (symbol STRING, price DOUBLE, volume INT);
CREATE STREAM twitterStream (user STRING, tweet STRING, company STRING);
INSERT ALL EVENTS INTO outputStream
SELECT cseEventStream.symbol AS symbol, twitterStream.tweet, cseEventStream.price
FROM cseEventStream WINDOW('length', 1) JOIN twitterStream WINDOW('length', 1);
