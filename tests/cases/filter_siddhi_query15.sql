-- Siddhi: FilterTestCase1.testFilterQuery15
@app:playback
-- Siddhi waits for 1 events (no count assertion); rows follow the filter.
-- Siddhi's condition: quantity > 4d (typed literals 50f/50L/50d are 50.0/50/50.0 here).
CREATE STREAM cseEventStream (symbol STRING, price FLOAT, volume FLOAT, quantity INT);
INSERT INTO outputStream
SELECT symbol, price, quantity
FROM cseEventStream
WHERE quantity > 4.0;
