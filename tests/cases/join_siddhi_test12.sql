-- Siddhi: JoinTestCase.joinTest12
@app:playback
-- SELECT * over a join: asserted 1 current event, 0 expired (INSERT INTO).
CREATE STREAM cseEventStream (symbol STRING, price DOUBLE, volume INT);
CREATE STREAM twitterStream (user STRING, tweet STRING, company STRING);
INSERT INTO outputStream
SELECT *
FROM cseEventStream WINDOW('time', 1 SEC) JOIN twitterStream WINDOW('time', 1 SEC)
  ON cseEventStream.symbol = twitterStream.company;
