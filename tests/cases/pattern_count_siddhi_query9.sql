-- Siddhi: CountPatternTestCase.testQuery9
@app:playback
-- Asserted: 1 event (IBM, GOOG, WSO2).
-- Siddhi's FLOAT price is DOUBLE here; back-to-back sends are 1 ms apart.
CREATE STREAM EventStream (symbol STRING, price DOUBLE, volume INT);
INSERT INTO StockQuote
SELECT e1.symbol AS symbol1, e2[0].symbol AS symbol2, e3.symbol AS symbol3
FROM PATTERN (e1=EventStream[price >= 50 AND volume > 100] -> e2=EventStream[price <= 40]<0:5>
              -> e3=EventStream[volume <= 70]);
