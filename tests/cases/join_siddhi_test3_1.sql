-- Siddhi: JoinTestCase.joinTest3_1
@app:playback
-- joinTest3 with both events sent as one Event[] at the same timestamp (same rows either way).
CREATE STREAM cseEventStream (symbol STRING, price DOUBLE, volume INT);
INSERT ALL EVENTS INTO outputStream
SELECT a.symbol AS symbol, a.price AS priceA, b.price AS priceB
FROM cseEventStream WINDOW('time', 500 MILLISECONDS) AS a
  JOIN cseEventStream WINDOW('time', 500 MILLISECONDS) AS b
  ON a.symbol = b.symbol;
