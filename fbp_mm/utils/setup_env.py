"""``register_all_modules``, as every OpenMMLab package has one."""


def register_all_modules(init_default_scope: bool = True) -> None:
    """Register fbp_mm's and MMPretrain's modules.

    fbp_mm's modules live in MMPretrain's registries, so the default scope
    they are built in is ``'mmpretrain'``. MMEngine calls this function
    when a registry of scope ``fbp_mm`` (the recipe stages) is first used.

    Args:
        init_default_scope (bool): Also set the default scope to
            ``'mmpretrain'`` (when no default scope is set yet).

    Example:
        >>> from fbp_mm.utils import register_all_modules
        >>> register_all_modules()
    """
    import fbp_mm  # noqa: F401  (importing registers the modules)
    from mmpretrain.utils import register_all_modules as register_mmpretrain
    register_mmpretrain(init_default_scope)
