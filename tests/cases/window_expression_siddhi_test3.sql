-- Siddhi: ExpressionWindowTestCase.expressionWindowTest3
@app:playback
-- Siddhi: 'eventTimestamp(last) - eventTimestamp(first) <= 2', written here with the first()/last() aggregates
-- of event_timestamp(). Events stamped 0..4 ms: 5 in, 2 removed.
CREATE STREAM cseEventStream (symbol STRING, price FLOAT, volume INT);
INSERT ALL EVENTS INTO outputStream SELECT symbol, price FROM cseEventStream WINDOW('expression', 'last(event_timestamp()) - first(event_timestamp()) <= 2');
