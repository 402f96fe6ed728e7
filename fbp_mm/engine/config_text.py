"""A config whose formatted text is made once per content.

MMEngine's runner asks its config for ``pretty_text`` (the config as
Python source, formatted by yapf) when it logs the config, dumps it to the
work dir, starts the run (``RuntimeInfoHook``) and saves every checkpoint
(``meta['cfg']``). Each call formats the whole config again: 0.2-0.3 s for
one of our configs on a 2-core machine, seven times in a one-epoch
training run. :class:`CachedTextConfig` formats once and reuses the text
until the config's content changes. :class:`~fbp_mm.engine.FbpRunner`
holds its config as one.
"""
from mmengine.config import Config

__all__ = ['CachedTextConfig']


class CachedTextConfig(Config):
    """:class:`~mmengine.config.Config` that formats ``pretty_text`` once
    per content.

    The text is kept with the ``repr`` of the config's content and made
    again when that differs, so a changed value shows in the next text.
    Everything else is ``Config``'s; copies (``copy.deepcopy``, as
    ``Runner`` makes) stay of this class.

    Example:
        >>> from mmengine.config import Config
        >>> cfg = CachedTextConfig.from_config(Config(dict(a=1)))
        >>> cfg.pretty_text == Config(dict(a=1)).pretty_text
        True
        >>> cfg.a = 2
        >>> 'a = 2' in cfg.pretty_text
        True
    """

    @classmethod
    def from_config(cls, cfg: Config) -> 'CachedTextConfig':
        """The same config as a :class:`CachedTextConfig`.

        Args:
            cfg (Config): A config; its content is shared, not copied.

        Returns:
            CachedTextConfig: ``cfg`` itself if it is one already.
        """
        if isinstance(cfg, cls):
            return cfg
        cached = cls.__new__(cls)
        for key, value in cfg.__dict__.items():
            object.__setattr__(cached, key, value)
        return cached

    @property
    def pretty_text(self) -> str:
        """The config as formatted Python source (see ``Config``)."""
        content = repr(self._cfg_dict)
        cached = self.__dict__.get('_cached_pretty_text')
        if cached is None or cached[0] != content:
            cached = (content, Config.pretty_text.fget(self))
            # Config's own __setattr__ writes into the config's content
            object.__setattr__(self, '_cached_pretty_text', cached)
        return cached[1]
