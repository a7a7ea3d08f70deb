namespace RedisCaching; internal static class Placeholder { }
