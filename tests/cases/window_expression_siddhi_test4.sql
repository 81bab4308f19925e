-- Siddhi: ExpressionWindowTestCase.expressionWindowTest4
@app:playback
-- As test3 with 7 events stamped 0..6 ms, sent in Siddhi as one Event[] (7 in, 4 removed in one callback);
-- the window inserts each expiry before its arrival, so the rows are the same event by event.
CREATE STREAM cseEventStream (symbol STRING, price FLOAT, volume INT);
INSERT ALL EVENTS INTO outputStream SELECT symbol, price FROM cseEventStream WINDOW('expression', 'last(event_timestamp()) - first(event_timestamp()) <= 2');
