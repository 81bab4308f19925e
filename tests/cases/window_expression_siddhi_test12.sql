-- Siddhi: ExpressionWindowTestCase.expressionWindowTest12
@app:playback
-- Siddhi reads 'sum(price) < 50' from the attribute expr (the same on every event); written in here.
-- From the fifth arrival on each expires the oldest: 9 in, 5 removed.
CREATE STREAM cseEventStream (symbol STRING, price DOUBLE, volume INT, expr STRING);
INSERT ALL EVENTS INTO outputStream SELECT symbol, volume FROM cseEventStream WINDOW('expression', 'sum(price) < 50');
