using Parley.Server.Accounts;

namespace Parley.Server.Tests;

public sealed class AccountRulesTests
{
    [Theory]
    [InlineData("13800138000", "CN", "+8613800138000")]
    [InlineData("+86 138-0013-8000", "CN", "+8613800138000")]
    [InlineData("0086 13800138000", "CN", "+8613800138000")]
    [InlineData("(415) 555-2671", "US", "+14155552671")]
    [InlineData("+44 20 7946 0958", "CN", "+442079460958")]
    public void PhoneNumbersAreNormalisedToE164(string input, string region, string expected) =>
        Assert.Equal(expected, AccountRules.NormalizePhone(input, region));

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("12")]
    [InlineData("call me maybe")]
    [InlineData("+86 138 0013 8000 1234 5678 9")]
    [InlineData("13800138000; DROP TABLE")]
    public void ImpossiblePhoneNumbersAreRefused(string input) => Assert.Null(AccountRules.NormalizePhone(input, "CN"));

    [Theory]
    [InlineData("  Alice@Example.COM ", "alice@example.com")]
    [InlineData("a.b+tag@sub.example.org", "a.b+tag@sub.example.org")]
    public void EmailsAreTrimmedAndLowerCased(string input, string expected) => Assert.Equal(expected, AccountRules.NormalizeEmail(input));

    [Theory]
    [InlineData("no-at-sign")]
    [InlineData("two@@example.com")]
    [InlineData("spaces in@example.com")]
    [InlineData("nodot@localhost")]
    [InlineData("Name <a@example.com>")]
    public void MalformedEmailsAreRefused(string input) => Assert.Null(AccountRules.NormalizeEmail(input));

    [Theory]
    [InlineData("abc", true)]
    [InlineData("A_b.9", true)]
    [InlineData("ab", false)]
    [InlineData("has space", false)]
    [InlineData("dash-not-allowed", false)]
    [InlineData("汉字用户", false)]
    [InlineData("x23456789012345678901234567890123", false)]
    public void UsernamesAreThreeToThirtyTwoLettersDigitsUnderscoresOrDots(string username, bool valid) =>
        Assert.Equal(valid, AccountRules.IsValidUsername(username));

    [Fact]
    public void PasswordsMustBeLongEnoughAndFitInBcrypt()
    {
        Assert.NotNull(AccountRules.CheckPassword("short"));
        Assert.Null(AccountRules.CheckPassword("long enough"));
        Assert.Null(AccountRules.CheckPassword(new string('x', 72)));
        Assert.NotNull(AccountRules.CheckPassword(new string('x', 73)));
        // 24 three-byte characters are 72 bytes; one more is too many even though it is only 25 characters.
        Assert.Null(AccountRules.CheckPassword(new string('密', 24)));
        Assert.NotNull(AccountRules.CheckPassword(new string('密', 25)));
    }

    [Fact]
    public void NicknamesAreRequiredAndHaveNoControlCharacters()
    {
        Assert.NotNull(AccountRules.CheckNickname(" "));
        Assert.NotNull(AccountRules.CheckNickname("bell\u0007"));
        Assert.NotNull(AccountRules.CheckNickname(new string('n', AccountRules.MaxNicknameLength + 1)));
        Assert.Null(AccountRules.CheckNickname("小明 🙂"));
    }
}
