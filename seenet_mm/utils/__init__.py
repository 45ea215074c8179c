from .setup_env import register_all_modules
from .version_check import check_stack, find_version_problems

__all__ = ['register_all_modules', 'check_stack', 'find_version_problems']
