-- Siddhi: ExpressionWindowTestCase.expressionWindowTest2
@app:playback
-- Siddhi writes the condition 'last.volume - first.volume <= 2' (newest and oldest event of the window);
-- EventFlux has no first./last. references, so it is written with the first()/last() aggregates.
-- Volumes 0..4: the arrivals of 3 and 4 each expire the oldest (5 in, 2 removed).
CREATE STREAM cseEventStream (symbol STRING, price FLOAT, volume INT);
INSERT ALL EVENTS INTO outputStream SELECT symbol, price FROM cseEventStream WINDOW('expression', 'last(volume) - first(volume) <= 2');
