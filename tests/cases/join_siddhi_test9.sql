-- Siddhi: JoinTestCase.joinTest9
@app:playback
-- Two windowless sides retain nothing: asserted no output.
CREATE STREAM cseEventStream (symbol STRING, price DOUBLE, volume INT);
CREATE STREAM twitterStream (user STRING, tweet STRING, company STRING);
INSERT ALL EVENTS INTO outputStream
SELECT count() AS events, symbol
FROM cseEventStream JOIN twitterStream;
