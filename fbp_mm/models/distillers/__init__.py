from .connectors import ConvConnector, LinearConnector
from .recorder import ModuleOutputRecorder
from .teacher_cache import TeacherOutputCache, sample_key
from .student_checkpoint import extract_student_checkpoint, student_config
from .network_config import config_candidates, resolve_network_cfg
from .teacher_checkpoint import (NoTeacherCheckpointError,
                                 TeacherCheckpointError,
                                 TeacherCheckpointNotFoundError,
                                 select_prefixed_state_dict,
                                 select_teacher_state_dict)
from .teacher_student_distiller import TeacherStudentDistiller

__all__ = [
    'ConvConnector', 'LinearConnector', 'ModuleOutputRecorder',
    'NoTeacherCheckpointError', 'TeacherCheckpointError',
    'TeacherCheckpointNotFoundError', 'TeacherStudentDistiller',
    'config_candidates', 'extract_student_checkpoint', 'resolve_network_cfg',
    'select_prefixed_state_dict', 'select_teacher_state_dict',
    'student_config', 'TeacherOutputCache', 'sample_key'
]
