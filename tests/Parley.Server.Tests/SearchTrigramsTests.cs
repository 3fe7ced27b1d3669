using Parley.Server.Messaging;

namespace Parley.Server.Tests;

/// <summary>The FTS5 query for a search: every distinct trigram of the query, quoted, counted in code points.</summary>
public sealed class SearchTrigramsTests
{
    [Theory]
    [InlineData("abc", "\"abc\"")]
    [InlineData("abcd", "\"abc\" AND \"bcd\"")]
    [InlineData("abcde", "\"abc\" AND \"bcd\" AND \"cde\"")]
    [InlineData("aaaaa", "\"aaa\"")]
    [InlineData("a\"b", "\"a\"\"b\"")]
    [InlineData("你好吗朋", "\"你好吗\" AND \"好吗朋\"")]
    public void EveryTrigramOnce(string query, string match) => Assert.Equal(match, MessageSearcher.MatchTrigrams(query));

    [Fact]
    public void CharactersOutsideTheBasicPlaneCountOnce()
    {
        // Four code points, seven UTF-16 units: the trigram tokenizer counts code points.
        Assert.Equal("\"😀a😀\" AND \"a😀b\"", MessageSearcher.MatchTrigrams("😀a😀b"));
    }
}
