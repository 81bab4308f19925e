-- Siddhi: OuterJoinTestCase.joinTest8
@app:playback
-- INNER JOIN spelled out. Asserted: 2 current events with these values.
CREATE STREAM cseEventStream (symbol STRING, price DOUBLE, volume INT);
CREATE STREAM twitterStream (user STRING, tweet STRING, company STRING);
INSERT ALL EVENTS INTO outputStream
SELECT cseEventStream.symbol AS symbol, twitterStream.tweet, cseEventStream.price
FROM cseEventStream WINDOW('length', 3) INNER JOIN twitterStream WINDOW('length', 1)
  ON cseEventStream.symbol = twitterStream.company;
