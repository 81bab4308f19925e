-- Siddhi: FilterTestCase1.testFilterQuery23
@app:playback
-- Siddhi waits for 1 events (no count assertion); rows follow the filter.
-- Siddhi's condition: symbol != 'WSO2' and volume != 55L and price != 45f  (typed literals 50f/50L/50d are 50.0/50/50.0 here).
CREATE STREAM cseEventStream (symbol STRING, price FLOAT, volume BIGINT);
INSERT INTO outputStream
SELECT symbol, price, volume
FROM cseEventStream
WHERE symbol <> 'WSO2' AND volume <> 55 AND price <> 45.0 ;
