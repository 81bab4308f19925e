-- Siddhi: WithinPatternTestCase.testQuery2
@app:playback
-- WITHIN after a parenthesised pattern: WSO2 lapses after 1.5 s. Asserted: 1 event (GOOG, IBM).
-- Siddhi's FLOAT prices are DOUBLE here; Thread.sleep gaps become timestamps (back-to-back sends 1 ms apart).
CREATE STREAM Stream1 (symbol STRING, price DOUBLE, volume INT);
CREATE STREAM Stream2 (symbol STRING, price DOUBLE, volume INT);
INSERT INTO OutputStream
SELECT e1.symbol AS symbol1, e2.symbol AS symbol2
FROM PATTERN ((every e1=Stream1[price > 20] -> e2=Stream2[price > e1.price]))
WITHIN 1 SEC;
