-- Siddhi: JoinTestCase.joinTest4
@app:playback
-- Asserted: 2 current and 2 expired events, each with symbol IBM or WSO2.
CREATE STREAM cseEventStream (symbol STRING, price DOUBLE, volume INT);
CREATE STREAM twitterStream (user STRING, tweet STRING, company STRING);
INSERT ALL EVENTS INTO outputStream
SELECT cseEventStream.symbol AS symbol, twitterStream.tweet, cseEventStream.price
FROM cseEventStream WINDOW('time', 2 SEC) JOIN twitterStream WINDOW('time', 2 SEC)
  ON cseEventStream.symbol = twitterStream.company;
