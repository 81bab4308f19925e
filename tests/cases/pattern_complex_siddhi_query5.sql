-- Siddhi: ComplexPatternTestCase.testQuery5
@app:playback
-- Siddhi selects e2[0].symbol on a non-counting element; EventFlux refuses that ('e2' is not a
-- counting element: write e2.symbol), so e2.symbol here; no every. Asserted: 1 event (WSO2, GOOG, 65).
-- Siddhi's FLOAT prices are DOUBLE here; Thread.sleep(100) gaps are 100 ms, back-to-back sends 1 ms.
CREATE STREAM Stream1 (symbol STRING, price DOUBLE, volume INT);
CREATE STREAM Stream2 (symbol STRING, price DOUBLE, volume INT);
INSERT INTO StockQuote
SELECT e3.symbol AS symbol1, e2.symbol AS symbol2, e3.volume AS volume3
FROM PATTERN (e1=Stream1[price >= 50 AND volume > 100] -> e2=Stream2[e1.symbol <> 'AMBA']
              -> e3=Stream2[volume <= 70]);
