-- Siddhi: CountPatternTestCase.testQuery11
@app:playback
-- As testQuery10 with e2[last]. Asserted: 1 event (IBM, null, GOOG).
-- Siddhi's FLOAT price is DOUBLE here; back-to-back sends are 1 ms apart.
CREATE STREAM EventStream (symbol STRING, price DOUBLE, volume INT);
INSERT INTO StockQuote
SELECT e1.symbol AS symbol1, e2[last].symbol AS symbol2, e3.symbol AS symbol3
FROM PATTERN (e1=EventStream[price >= 50 AND volume > 100] -> e2=EventStream[price <= 40]<:5>
              -> e3=EventStream[volume <= 70]);
