CREATE STREAM T (symbol STRING, v INT);
INSERT ALL EVENTS INTO Out SELECT symbol, v FROM T WINDOW('uniqueLength', symbol, 2);
