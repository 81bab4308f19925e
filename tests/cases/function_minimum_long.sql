-- Ported from Siddhi's MinimumFunctionExtensionTestCase.testMinFunctionExtension5 (siddhi-core query/function):
-- minimum of BIGINT arguments keeps their type.
CREATE STREAM inputStream (price1 BIGINT, price2 BIGINT, price3 BIGINT);
INSERT INTO MinStream SELECT minimum(price1, price2, price3) AS min FROM inputStream;
