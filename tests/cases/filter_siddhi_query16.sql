-- Siddhi: FilterTestCase1.testFilterQuery16
@app:playback
-- Siddhi waits for 2 events (no count assertion); rows follow the filter.
-- Siddhi's condition: volume > 50d (typed literals 50f/50L/50d are 50.0/50/50.0 here).
CREATE STREAM cseEventStream (symbol STRING, price FLOAT, volume BIGINT);
INSERT INTO outputStream
SELECT symbol, price, volume
FROM cseEventStream
WHERE volume > 50.0;
