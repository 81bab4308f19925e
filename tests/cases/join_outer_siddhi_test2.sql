-- Siddhi: OuterJoinTestCase.joinTest2
@app:playback
-- Right outer join: only unmatched right (tweet) arrivals are padded. Asserted: 3 current
-- events with these values (no expiry produces a row: BMW's expiry matches no tweet).
CREATE STREAM cseEventStream (symbol STRING, price DOUBLE, volume INT);
CREATE STREAM twitterStream (user STRING, tweet STRING, company STRING);
INSERT ALL EVENTS INTO outputStream
SELECT cseEventStream.symbol AS symbol, twitterStream.tweet, cseEventStream.price, twitterStream.company AS company
FROM cseEventStream WINDOW('length', 1) RIGHT OUTER JOIN twitterStream WINDOW('length', 2)
  ON cseEventStream.symbol = twitterStream.company;
