-- Siddhi: CountPatternTestCase.testQuery16
@app:playback
-- 400 rounds of 5 WSO2 and 3 GOOG, 2 ms apart. Asserted: 1200 events (3 per round: the
-- attempts started by the first three WSO2; the first is exactly 10 ms before the GOOG, so
-- `within 10 milliseconds` includes its bound). Siddhi's id is sent as a long; STRING here.
-- Siddhi's FLOAT price is DOUBLE here.
CREATE STREAM Stream1 (id STRING, symbol STRING, price DOUBLE, volume INT);
INSERT INTO OutputStream
SELECT e1.price AS price1, e2.price AS price2, e3.price AS price3
FROM PATTERN (every e1=Stream1[symbol = 'WSO2'] -> e2=Stream1[symbol = 'WSO2']<2:>
              -> e3=Stream1[symbol = 'GOOG'])
WITHIN 10 MILLISECONDS;
