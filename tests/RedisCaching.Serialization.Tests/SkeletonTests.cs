using NUnit.Framework;

namespace RedisCaching.Serialization.Tests;

// Placeholder: the project's first real tests replace it.
public sealed class SkeletonTests
{
    [Test]
    public void Assembly_loads() => Assert.That(typeof(SkeletonTests).Assembly.GetName().Name, Is.EqualTo("RedisCaching.Serialization.Tests"));
}
