-- Siddhi: ExpressionWindowTestCase.expressionWindowTest8
@app:playback
-- Siddhi reads the condition from the attribute expr, the same on every event; EventFlux takes a constant,
-- so it is written in. Never true: each arrival expires itself, inserted before the arrival (3 in, 3 removed).
CREATE STREAM cseEventStream (symbol STRING, price FLOAT, volume INT, expr STRING);
INSERT ALL EVENTS INTO outputStream SELECT symbol, price FROM cseEventStream WINDOW('expression', 'last(event_timestamp()) - first(event_timestamp()) < 0');
