-- Siddhi: OuterJoinTestCase.joinTest7
@app:playback
-- Left outer join whose left side is windowless and never receives: asserted no event.
CREATE STREAM cseEventStream (symbol STRING, price DOUBLE, volume INT);
CREATE STREAM twitterStream (user STRING, tweet STRING, company STRING);
INSERT ALL EVENTS INTO outputStream
SELECT cseEventStream.symbol AS symbol, twitterStream.tweet
FROM cseEventStream LEFT OUTER JOIN twitterStream WINDOW('length', 2)
  ON cseEventStream.symbol = twitterStream.company;
