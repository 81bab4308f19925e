-- Siddhi: OuterJoinTestCase.joinTest3
@app:playback
-- Left outer join: unmatched left (stock) arrivals are padded. Asserted: 3 current events.
CREATE STREAM cseEventStream (symbol STRING, price DOUBLE, volume INT);
CREATE STREAM twitterStream (user STRING, tweet STRING, company STRING);
INSERT ALL EVENTS INTO outputStream
SELECT cseEventStream.symbol AS symbol, twitterStream.tweet, cseEventStream.price, twitterStream.company AS company
FROM cseEventStream WINDOW('length', 2) LEFT OUTER JOIN twitterStream WINDOW('length', 1)
  ON cseEventStream.symbol = twitterStream.company;
