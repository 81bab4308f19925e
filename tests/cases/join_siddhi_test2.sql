-- Siddhi: JoinTestCase.joinTest2
@app:playback
-- joinTest1 with aliases. Asserted: 2 current, 2 expired. Siddhi's FLOAT price is DOUBLE here.
CREATE STREAM cseEventStream (symbol STRING, price DOUBLE, volume INT);
CREATE STREAM twitterStream (user STRING, tweet STRING, company STRING);
INSERT ALL EVENTS INTO outputStream
SELECT a.symbol AS symbol, b.tweet, a.price
FROM cseEventStream WINDOW('time', 1 SEC) AS a JOIN twitterStream WINDOW('time', 1 SEC) AS b
  ON a.symbol = b.company;
