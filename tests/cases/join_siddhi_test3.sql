-- Siddhi: JoinTestCase.joinTest3
@app:playback
-- Self join. Asserted: 2 current, 2 expired (an arrival reaches the left side first, finds
-- nothing in the right window yet, then the right side finds it in the left window; on expiry
-- the left side's expired event still finds its twin in the right window).
CREATE STREAM cseEventStream (symbol STRING, price DOUBLE, volume INT);
INSERT ALL EVENTS INTO outputStream
SELECT a.symbol AS symbol, a.price AS priceA, b.price AS priceB
FROM cseEventStream WINDOW('time', 500 MILLISECONDS) AS a
  JOIN cseEventStream WINDOW('time', 500 MILLISECONDS) AS b
  ON a.symbol = b.symbol;
