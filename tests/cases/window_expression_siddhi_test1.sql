-- Siddhi: ExpressionWindowTestCase.expressionWindowTest1
@app:playback
-- expression('count() <= 2'): from the third arrival on, each arrival expires the oldest event (5 in, 3 removed).
CREATE STREAM cseEventStream (symbol STRING, price FLOAT, volume INT);
INSERT ALL EVENTS INTO outputStream SELECT symbol, volume FROM cseEventStream WINDOW('expression', 'count() <= 2');
