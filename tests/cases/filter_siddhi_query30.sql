-- Siddhi: FilterTestCase1.testFilterQuery30
@app:playback
-- Siddhi waits for 1 events (no count assertion); rows follow the filter.
-- Siddhi's condition: available != true  (typed literals 50f/50L/50d are 50.0/50/50.0 here).
CREATE STREAM cseEventStream (symbol STRING, price FLOAT, available BOOL);
INSERT INTO outputStream
SELECT symbol, price, available
FROM cseEventStream
WHERE available <> TRUE ;
