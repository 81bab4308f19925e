-- Siddhi: OuterJoinTestCase.joinTest9
@app:playback
-- Inner join with no matching tweet: asserted no event.
CREATE STREAM cseEventStream (symbol STRING, price DOUBLE, volume INT);
CREATE STREAM twitterStream (user STRING, tweet STRING, company STRING);
INSERT ALL EVENTS INTO outputStream
SELECT cseEventStream.symbol AS symbol, twitterStream.tweet, cseEventStream.price
FROM cseEventStream WINDOW('length', 3) JOIN twitterStream WINDOW('length', 1)
  ON cseEventStream.symbol = twitterStream.company;
