-- Siddhi: OuterJoinTestCase.joinTest6
@app:playback
-- Right outer join whose right side is windowless and never receives: asserted no event.
CREATE STREAM cseEventStream (symbol STRING, price DOUBLE, volume INT);
CREATE STREAM twitterStream (user STRING, tweet STRING, company STRING);
INSERT ALL EVENTS INTO outputStream
SELECT cseEventStream.symbol AS symbol, twitterStream.tweet
FROM cseEventStream WINDOW('length', 2) RIGHT OUTER JOIN twitterStream
  ON cseEventStream.symbol = twitterStream.company;
