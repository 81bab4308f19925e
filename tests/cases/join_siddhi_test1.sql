-- Siddhi: JoinTestCase.joinTest1
@app:playback
-- Siddhi's price is FLOAT; DOUBLE here so values compare exactly. Real-time sends become 1 ms apart.
-- Asserted: 2 current and 2 expired events. Rows follow Siddhi's time-window join semantics:
-- each side's expiry probes the other side's window and yields an expired joined row.
CREATE STREAM cseEventStream (symbol STRING, price DOUBLE, volume INT);
CREATE STREAM twitterStream (user STRING, tweet STRING, company STRING);
INSERT ALL EVENTS INTO outputStream
SELECT cseEventStream.symbol AS symbol, twitterStream.tweet, cseEventStream.price
FROM cseEventStream WINDOW('time', 1 SEC) JOIN twitterStream WINDOW('time', 1 SEC)
  ON cseEventStream.symbol = twitterStream.company;
