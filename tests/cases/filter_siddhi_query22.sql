-- Siddhi: FilterTestCase1.testFilterQuery22
@app:playback
-- Siddhi waits for 1 events (no count assertion); rows follow the filter. Asserted in the callback: 100d, inEvents[0].getData(2).
-- Siddhi's condition: volume > 12L and price < 56 (typed literals 50f/50L/50d are 50.0/50/50.0 here).
CREATE STREAM cseEventStream (symbol STRING, price FLOAT, volume DOUBLE);
INSERT INTO outputStream
SELECT symbol, price, volume
FROM cseEventStream
WHERE volume > 12 AND price < 56;
